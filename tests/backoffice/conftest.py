import pytest

from accounts.demo import seed_agents
from accounts.models import User


@pytest.fixture
def staff(db):
    """The three demo staff members, by role."""
    seed_agents()
    return {
        "agent": User.objects.get(username="agent"),
        "superviseur": User.objects.get(username="superviseur"),
        "administrateur": User.objects.get(username="administrateur"),
    }


@pytest.fixture
def as_staff(client, staff):
    def _login(username):
        client.force_login(staff[username])
        return client

    return _login
