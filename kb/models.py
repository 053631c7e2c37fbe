"""The kb app holds no tables; it exists for project-wide commands, templates and roles."""
