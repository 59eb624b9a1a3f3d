"""The browser chat (Gradio): ``app`` binds the assistant to the page, ``view`` renders answers, ``assets``
hold the page's script and styles, ``security`` guards exposure."""

from assistant.ui.app import build_app, serve

__all__ = ["build_app", "serve"]
