"""The layers (docs/ARCHITECTURE.md): macnss.core imports no app of the project; `shared_steps` holds the
steps several journeys share; no other app imports another app's views or forms; services never import
their tasks (they enqueue by name), so tasks → services is the only direction.

The imports are read with `ast` from the source, including those inside functions."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = [name for name in settings.INSTALLED_APPS if (ROOT / name.replace(".", "/") / "apps.py").exists()]
SHARED = {"macnss.core", "shared_steps"}  # anyone may import their views and forms
JOURNEYS = [name for name in PROJECT_APPS if name not in SHARED]

# (file of core, app it imports) allowed, each with its reason: none today.
CORE_ALLOWED: set[tuple[str, str]] = set()


def python_files(app: str):
    folder = ROOT / app.replace(".", "/")
    for path in sorted(folder.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, absolute; `from x import y` counts as x and x.y (y may be a module)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            modules.add(base)
            modules.update(f"{base}.{alias.name}" for alias in node.names)
    return modules


def app_of(module: str) -> str | None:
    for app in sorted(PROJECT_APPS, key=len, reverse=True):
        if module == app or module.startswith(app + "."):
            return app
    return None


def test_the_walk_sees_the_apps_and_their_imports():
    # The test must be able to fail: it finds the journeys and an import it knows to be there.
    assert {"accounts", "tns_enrollment", "pension", "asvi_payment", "taawidaty"} <= set(JOURNEYS)
    assert "shared_steps.views" in imported_modules(ROOT / "tns_enrollment" / "views.py")
    assert "tns_enrollment.forms" in imported_modules(ROOT / "tns_enrollment" / "views.py")


@pytest.mark.parametrize("app", JOURNEYS + ["shared_steps"])
def test_no_app_imports_another_apps_views_or_forms(app):
    offences = []
    for path in python_files(app):
        for module in imported_modules(path):
            owner = app_of(module)
            if owner is None or owner == app or owner in SHARED:
                continue
            if module.removeprefix(owner + ".").split(".")[0] in ("views", "forms"):
                offences.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offences, "\n".join(offences)


def test_core_imports_no_app_of_the_project():
    offences = []
    for path in python_files("macnss.core"):
        where = str(path.relative_to(ROOT))
        for module in imported_modules(path):
            owner = app_of(module)
            if owner not in (None, "macnss.core") and (where, owner) not in CORE_ALLOWED:
                offences.append(f"{where} imports {module}")
    assert not offences, "\n".join(offences)


@pytest.mark.parametrize("app", PROJECT_APPS)
def test_services_do_not_import_their_tasks(app):
    """Tasks call services; a service enqueues a task by its name (macnss.core.tasks_queue)."""
    folder = ROOT / app.replace(".", "/")
    tasks_module = f"{app}.tasks"
    offences = [
        str(path.relative_to(ROOT))
        for path in (folder / "services.py", *sorted(folder.glob("services/*.py")))
        if path.exists() and any(m == tasks_module or m.startswith(tasks_module + ".") for m in imported_modules(path))
    ]
    assert not offences, offences


@pytest.mark.parametrize(
    "name",
    [
        "macnss.core.services.SEND_SMS",
        "macnss.core.services.SEND_EMAIL",
        "asvi_payment.services.SEND_RECEIPT",
        "insured_space.services.BUILD_PDF",
        "privacy.services.BUILD_EXPORT",
        "taawidaty.services.BUILD_RECEIPT",
    ],
)
def test_the_names_services_enqueue_are_registered_tasks(name):
    from django.utils.module_loading import import_string

    from macnss.core.tasks_queue import task_named

    task_name = import_string(name)
    assert task_named(task_name).name == task_name


def test_an_unknown_task_name_fails_in_the_request_not_after_the_commit():
    from macnss.core.tasks_queue import enqueue_on_commit

    with pytest.raises((KeyError, ImportError)):
        enqueue_on_commit("taawidaty.tasks.no_such_task", 1)


def test_journey_state_keeps_a_change_only_through_set_or_update(rf):
    from django.contrib.sessions.backends.db import SessionStore

    from macnss.core.journey_state import JourneyState

    request = rf.get("/")
    request.session = SessionStore()
    journey = JourneyState("demo")
    assert journey.get(request) == {}
    journey.set(request, {"otp": 1})
    journey.get(request)["otp"] = 2  # a copy: the session is not changed behind the journey's back
    assert journey.update(request, confirmed=True) == {"otp": 1, "confirmed": True}
    assert request.session["demo"] == {"otp": 1, "confirmed": True}
    journey.clear(request)
    journey.clear(request)  # twice is harmless (a second tab)
    assert "demo" not in request.session
