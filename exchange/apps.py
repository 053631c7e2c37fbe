from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Data exchange: the exports, the codebook, the importer and the dataset package. It sits
    above the domain apps (sources, groups, claims, changes) and reads their models; they never
    import from it."""

    name = "exchange"
    verbose_name = "Data exchange"
