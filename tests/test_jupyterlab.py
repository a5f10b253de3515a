"""JupyterLab as a Binder user meets it: the locked environment serves JupyterLab on
127.0.0.1, a real headless browser (Debian's chromium, driven by Selenium) opens a notebook,
runs a cell through the UI and sees its output, computed by the project's kernel.

CI installs chromium and chromium-driver with apt (.ci/run); GitHub's Ubuntu runners bring
Google Chrome and its chromedriver (.github/workflows/ci.yml). Elsewhere the test is skipped
when no browser is found, and fails if none is found on CI."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from translocal.base import paths

#: The first Chromium-family browser found (Debian's chromium, Ubuntu's, or Google Chrome).
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
DRIVER = shutil.which("chromedriver")
TOKEN = "translocal-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    if not (CHROMIUM and DRIVER):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver must be installed on CI (.ci/run installs them)")
        pytest.skip("chromium/chromedriver not installed (apt install chromium chromium-driver)")
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "probe",
                "metadata": {},
                "outputs": [],
                "source": "from translocal.base import paths\nprint('kernel sees', paths.ROOT.name, 6 * 7)",
            }
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "probe.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "TRANSLOCAL_ROOT": str(paths.ROOT), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={tmp_path}", "--allow-root",
        ],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=1)
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("JupyterLab did not start within 30 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_cell_run_in_jupyterlab_shows_its_output(lab):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.get(f"{lab}/lab/tree/probe.ipynb?token={TOKEN}")
        wait = WebDriverWait(driver, 90)
        editor = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, ".jp-Notebook .jp-Cell .cm-content")))
        wait.until(
            ec.presence_of_element_located((By.CSS_SELECTOR, ".jp-Notebook-ExecutionIndicator, .jp-KernelStatus"))
        )
        editor.click()
        editor.send_keys(Keys.SHIFT, Keys.ENTER)
        output = wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".jp-OutputArea-output"), "kernel sees"))
        assert output
        text = driver.find_element(By.CSS_SELECTOR, ".jp-OutputArea-output").text
        assert f"kernel sees {paths.ROOT.name} 42" in text
    finally:
        driver.quit()
