"""The build's kernels: started over IPC sockets in a private folder, so a build prints no
"running over TCP without encryption" warning and leaves no socket files behind."""

import subprocess
import sys
import textwrap


def test_a_notebook_runs_quietly_over_ipc(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os\nprint(6 * 7)")]
    nbformat.write(nb, tmp_path / "in.ipynb")
    script = textwrap.dedent(
        f"""
        import papermill as pm
        from translocal.build.run import ipc_kernel_manager
        manager = ipc_kernel_manager()
        pm.execute_notebook({str(tmp_path / "in.ipynb")!r}, {str(tmp_path / "out.ipynb")!r}, kernel_name="python3",
                            progress_bar=False, kernel_manager_class=manager, cwd={str(tmp_path)!r})
        print("transport", manager().transport)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "transport ipc" in result.stdout
    assert "without encryption" not in result.stderr + result.stdout
    assert "KeyboardInterrupt" not in result.stderr  # no interrupt sent to an idle kernel at shutdown
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == "42"
    # the sockets lived in the private folder, not beside the notebook
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.ipynb", "out.ipynb"]
