"""Reflex configuration, derived from the portal's own settings (portal_app/config.py)."""

import reflex as rx

from portal_app.config import settings

config = rx.Config(
    app_name="portal_app",
    # Only the portal's own origins may open the websocket or call HTTP routes with credentials.
    cors_allowed_origins=list(settings.origins),
    # Memory keeps state off disk (the disk manager would pickle health data into .states/);
    # Redis when several workers share state.
    state_manager_mode="redis" if settings.redis_url else "memory",
    redis_url=settings.redis_url or None,
    # A closed tab's state (memory or Redis) is dropped after 30 minutes, not the default hour.
    redis_token_expiration=30 * 60,
    trusted_proxy_hops=settings.proxy_hops,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=settings.port,
    backend_port=settings.port,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="large", scaling="110%")
        ),
    ],
    # The sitemap would list every route, staff pages included.
    disable_plugins=[rx.plugins.SitemapPlugin],
)
