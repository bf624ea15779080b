"""The executor is chosen by the deployment; a choice that cannot build is refused with the reason."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines.executors import EXECUTOR_ENV_VAR, select_executor


def test_without_a_choice_every_step_runs_in_the_runs_own_process(monkeypatch):
    monkeypatch.delenv(EXECUTOR_ENV_VAR, raising=False)
    assert select_executor() is dg.in_process_executor
    monkeypatch.setenv(EXECUTOR_ENV_VAR, "in_process")
    assert select_executor() is dg.in_process_executor


def test_the_celery_step_executor_is_refused_pointing_to_the_run_launcher(monkeypatch):
    monkeypatch.setenv(EXECUTOR_ENV_VAR, "celery")
    with pytest.raises(ValueError, match="CeleryRunLauncher in dagster.yaml"):
        select_executor()


def test_an_unknown_executor_is_refused(monkeypatch):
    monkeypatch.setenv(EXECUTOR_ENV_VAR, "k8s")
    with pytest.raises(ValueError, match="is 'k8s'"):
        select_executor()
