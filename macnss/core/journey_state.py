"""A journey's answers between its pages, kept in the session under the journey's own key."""


class JourneyState:
    """A dict per journey: `get` gives a copy, so a change is kept only through `set` or `update`, which
    reassign the key and so mark the session as modified."""

    def __init__(self, key: str):
        self.key = key

    def get(self, request) -> dict:
        return dict(request.session.get(self.key) or {})

    def set(self, request, state: dict) -> None:
        request.session[self.key] = state

    def update(self, request, **changes) -> dict:
        state = {**self.get(request), **changes}
        self.set(request, state)
        return state

    def clear(self, request) -> None:
        request.session.pop(self.key, None)
