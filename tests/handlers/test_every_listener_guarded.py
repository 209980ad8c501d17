"""One way into a listener: every listener the real Bolt app registers runs inside `guarded`, and every
modal submission that carries a ModalContext gets it from the modal_context middleware."""

from __future__ import annotations

from slack_bolt.middleware.custom_middleware import CustomMiddleware

from handlers.common.errors import is_guarded


def _name(listener) -> str:
    function = listener.ack_function
    return f"{function.__module__}.{function.__qualname__}"


def test_every_registered_listener_is_guarded(bolt_app):
    listeners = bolt_app._listeners
    assert len(listeners) > 30  # the walk reaches the real registrations, not an empty app
    unguarded = [_name(listener) for listener in listeners if not is_guarded(listener.ack_function)]
    assert unguarded == []
    lazy = [_name(listener) for listener in listeners if listener.lazy_functions]
    assert lazy == []  # lazy listeners would run outside guarded


def test_modal_submissions_start_at_their_work(bolt_app):
    """A view listener never loads its ModalContext (nor parses its form) itself: the middleware did (or acked
    and stopped)."""
    import inspect

    for listener in bolt_app._listeners:
        source = inspect.getsource(listener.ack_function.__wrapped__)
        middleware = [m.func.__name__ for m in listener.middleware if isinstance(m, CustomMiddleware)]
        if "ModalContext.load(view" in source:
            raise AssertionError(f"{_name(listener)} loads its ModalContext itself (middleware: {middleware})")
        if 'context["modal"]' in source:
            assert {"load_modal", "load_form"} & set(middleware), _name(listener)
        if 'context["form"]' in source:
            assert "load_form" in middleware, _name(listener)


def test_unguarded_listener_is_caught(bolt_app, runtime):
    """The check can fail: a listener registered without `guarded` is found."""

    @bolt_app.command("/unguarded-probe")
    def probe(ack):
        ack()

    assert [_name(listener) for listener in bolt_app._listeners if not is_guarded(listener.ack_function)] == [
        f"{__name__}.test_unguarded_listener_is_caught.<locals>.probe"]
