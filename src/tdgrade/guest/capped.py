"""Runs INSIDE the sandbox, in the runner: an nbclient client whose outputs are capped.

A print loop must not blow the runner's memory or the executed notebook: output beyond a per-cell
and a per-notebook budget is dropped, with one French notice per truncated cell.
"""
import json


def _size(content):
    try:
        return len(json.dumps(content, default=str))
    except Exception:  # noqa: BLE001
        return 0




def make_client_class(job):
    import nbformat
    from nbclient import NotebookClient

    notice = job.get("truncate_notice", "[output truncated]")

    class CappedClient(NotebookClient):
        """Drops output beyond a per-cell and a per-notebook budget (a print loop must not blow memory)."""

        cell_budget = int(job.get("max_cell_output", 200_000))
        total_budget = int(job.get("max_total_output", 5_000_000))
        used_total = 0
        used_cell: dict = {}
        truncated_cells: set = set()

        def output(self, outs, msg, display_id, cell_index):
            if msg.get("msg_type") in ("stream", "display_data", "execute_result", "error"):
                size = _size(msg.get("content"))
                used = self.used_cell.get(cell_index, 0)
                if msg["msg_type"] != "error" and (used + size > self.cell_budget
                                                   or self.used_total + size > self.total_budget):
                    if cell_index not in self.truncated_cells:
                        self.truncated_cells.add(cell_index)
                        outs.append(nbformat.v4.new_output("stream", name="stderr", text=f"\n{notice}\n"))
                    return None
                self.used_cell[cell_index] = used + size
                CappedClient.used_total += size
            return super().output(outs, msg, display_id, cell_index)

    return CappedClient
