"""The design system: layout, cards, forms, badges. Pages compose these rather than restyle."""
