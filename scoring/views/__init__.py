"""Screen views (style.md): one module per screen, each a pure builder returning a frozen dataclass of what the
page renders; the pages in app_pages/ only read widgets and render."""
