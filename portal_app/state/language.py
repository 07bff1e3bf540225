"""The reader's language and the strings of the page in it."""

from __future__ import annotations

import reflex as rx

from portal_app import i18n


class LanguageState(rx.State):
    language: str = i18n.DEFAULT_LANGUAGE
    _chosen: bool = False  # set once the user (or their profile) picked a language

    @rx.var
    def strings(self) -> dict[str, str]:
        return i18n.catalog(self.language)

    def _detect(self) -> None:
        """Default to the browser's language until the user chooses."""
        if not self._chosen:
            self.language = i18n.pick_language(self.router.headers.accept_language)

    def _adopt(self, language: str) -> None:
        """The signed-in user's saved preference wins over the browser's."""
        self.language = i18n.normalise(language)
        self._chosen = True

    def _t(self, key: str, **params: object) -> str:
        return i18n.t(key, self.language, **params)


def tr(key: str) -> rx.Var[str]:
    """A page string that follows the reader's language."""
    i18n.t(key)  # fail at compile time on a key the catalogue does not have
    return LanguageState.strings[key].to(str)
