"""Server-rendered pages: templates and static assets served by us (no CDN)."""
