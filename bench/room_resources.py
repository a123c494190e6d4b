"""Benchmark: CPU and memory of one embedded room with 2 and 4 participants (recording on),
without and with one of them sharing his screen.

A real dashboard serves the room; each participant is a headless Chromium tab with a
fake camera and a speech microphone. CPU is read from /proc over a steady window once
everyone sends media; 100 % = one core (this machine has 2).

Chromium's fake screen capture is 1280×720; the page sends it scaled to the grid's screen area.

Run: .venv/bin/python bench/room_resources.py [2 4] [--no-share]   (prints a markdown table for docs/PERFORMANCE.md)
BENCH_PROFILE=<folder> (py-spy on the PATH) also samples the dashboard over each window.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.room_support import JOIN, call, new_page, open_browser, open_room  # noqa: E402
from tests.browser.test_journey import sign_in  # noqa: E402
from tests.browser_support import dashboard  # noqa: E402
from visio_core.adapters.embedded_room.recorder import FPS  # noqa: E402

WINDOW = 30.0
WARM_UP = 10.0  # after everyone sends: the browsers' bandwidth estimates ramp up meanwhile
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except FileNotFoundError:
            continue
    return total / TICKS


def steal_ticks() -> int:
    """CPU time the hypervisor gave other guests (all CPUs): how contended the host was meanwhile."""
    return int(Path("/proc/stat").read_text().split("\n", 1)[0].split()[8])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    found = [int(p) for p in out]
    for child in list(found):
        found += descendants(child)
    return found


def streamlit_pid(port: str) -> int:
    for pid in descendants(os.getpid()):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"streamlit" in b" ".join(cmdline) and port.encode() in cmdline:
            return pid
    raise RuntimeError("dashboard process not found")


def thread_cpu(pid: int) -> dict[int, tuple[float, float]]:
    """User and system CPU seconds of each thread of the process (exact, unlike a sampler's counts)."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        found[int(task.name)] = (int(fields[11]) / TICKS, int(fields[12]) / TICKS)
    return found


def _comm(pid: int, tid: int) -> str:
    """The kernel's name of a thread py-spy did not sample (no Python frames: codec workers and the like)."""
    try:
        return "(" + Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip() + ")"
    except FileNotFoundError:
        return "(ended)"


def _print_threads(
    pid: int,
    profile: subprocess.Popen[bytes],
    before: dict[int, tuple[float, float]],
    after: dict[int, tuple[float, float]],
    seconds: float,
) -> None:
    """Each thread's CPU over the window, named from the py-spy sample (which lists "thread (tid): name")."""
    names: dict[int, str] = {}
    for line in Path(str(profile.args[-1])).read_text().splitlines():
        head = line.split(";", 1)[0]
        if head.startswith("thread (") and "): " in head:
            tid, name = head[len("thread (") :].split("): ", 1)
            names[int(tid)] = name.split(" ")[0][:40]
    by_name: dict[str, tuple[float, float]] = {}
    for tid, (user, system) in after.items():
        name = names.get(tid) or _comm(pid, tid)
        name = name.split("-")[0] if name.startswith(("room-", "ScriptRunner", "ThreadPool")) else name
        user0, system0 = before.get(tid, (0.0, 0.0))
        total_user, total_system = by_name.get(name, (0.0, 0.0))
        by_name[name] = (total_user + user - user0, total_system + system - system0)
    for name, (user, system) in sorted(by_name.items(), key=lambda item: -sum(item[1])):
        print(
            f"  {100 * (user + system) / seconds:5.1f} % (system {100 * system / seconds:4.1f} %)  {name}", flush=True
        )


def _profile(pid: int, participants: int, share: bool) -> subprocess.Popen[bytes] | None:
    """With BENCH_PROFILE=<folder>, sample the dashboard with py-spy over the window (collapsed stacks)."""
    folder = os.environ.get("BENCH_PROFILE")
    if not folder:
        return None
    out = Path(folder) / f"room-{participants}{'-share' if share else ''}.txt"
    return subprocess.Popen(
        [
            "py-spy",
            "record",
            *os.environ.get("BENCH_PYSPY", "--nonblocking --threads").split(),
            "--format",
            "raw",
            "-r",
            "50",
            "-d",
            str(int(WINDOW) - 1),
            "-p",
            str(pid),
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def measure(participants: int, speech: Path, share: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        env = {**os.environ, "VISIO_DATA_DIR": str(data), "VISIO_EMBEDDED_WORKER": "0"}
        subprocess.run(
            [sys.executable, "-m", "visio_core", "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        with sqlite3.connect(data / "visio.sqlite3") as db:
            meeting = db.execute("SELECT id FROM meetings WHERE status = 'in_progress'").fetchone()[0]
        with dashboard(data, {"VISIO_EMBEDDED_WORKER": "0"}) as url, sync_playwright() as p:
            server = streamlit_pid(url.rsplit(":", 1)[1])
            idle_rss = rss_mb(server)
            browser = open_browser(p, microphone=speech)
            contexts = []
            for n in range(participants):
                context, page = new_page(browser)
                sign_in(page, url, "mikl@foxeo.demo" if n % 2 == 0 else "claire@client.demo")
                expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible(timeout=60_000)
                open_room(page, url, meeting)
                call(page).get_by_role("button", name=JOIN).click()
                contexts.append(context)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                state = contexts[0].request.get(f"{url}/api/rooms/{meeting}").json()
                if len(state["participants"]) == participants and all(
                    x["video_frames"] > 30 for x in state["participants"]
                ):
                    break
                time.sleep(1)
            else:
                raise RuntimeError(f"room did not fill: {state}")
            if share:
                contexts[0].pages[0].get_by_role("button", name="Partager l'écran").click()
                while (state := contexts[0].request.get(f"{url}/api/rooms/{meeting}").json())[
                    "screen"
                ] is None or state["screen"]["frames"] < 60:
                    if time.monotonic() > deadline + 60:
                        raise RuntimeError(f"the share did not arrive: {state}")
                    time.sleep(1)
            time.sleep(WARM_UP)
            chromium = [browser_pid for browser_pid in descendants(os.getpid()) if browser_pid != server]
            before = contexts[0].request.get(f"{url}/api/rooms/{meeting}").json()["participants"]
            frames0 = {x["name"]: x["audio_frames"] for x in before}
            video0 = {x["name"]: x["video_frames"] for x in before}
            s0, c0, t0, steal0 = cpu_seconds([server]), cpu_seconds(chromium), time.monotonic(), steal_ticks()
            profile = _profile(server, participants, share)
            threads0 = thread_cpu(server)
            time.sleep(WINDOW)
            threads1 = thread_cpu(server)
            if profile is not None:
                profile.wait()
                _print_threads(server, profile, threads0, threads1, time.monotonic() - t0)
            s1, c1, t1, steal1 = cpu_seconds([server]), cpu_seconds(chromium), time.monotonic(), steal_ticks()
            after = contexts[0].request.get(f"{url}/api/rooms/{meeting}").json()["participants"]
            frames1 = {x["name"]: x["audio_frames"] for x in after}
            video1 = {x["name"]: x["video_frames"] for x in after}
            result = {
                # decoded audio frames a second per participant: 50 at 20 ms packets, 17 at 60 ms
                "audio_frames_per_s": sorted(round((frames1[n] - frames0.get(n, 0)) / (t1 - t0)) for n in frames1),
                # camera frames a second the room decodes per participant (asked: FPS; a loaded browser sends fewer)
                "camera_fps": sorted(round((video1[n] - video0.get(n, 0)) / (t1 - t0), 1) for n in video1),
                "participants": participants,
                "share": share,
                "server_cpu": 100 * (s1 - s0) / (t1 - t0),
                "chromium_cpu": 100 * (c1 - c0) / (t1 - t0),
                "server_rss_idle": idle_rss,
                "server_rss": rss_mb(server),
                # the host's other guests took this much of our 2 CPUs: drifting figures go with it
                "steal_percent": round(100 * (steal1 - steal0) / TICKS / (t1 - t0) / os.cpu_count(), 1),
                "recorded": contexts[0].request.get(f"{url}/api/rooms/{meeting}").json()["recorded_seconds"],
            }
            browser.close()
            httpx.get(f"{url}/api/health")
            return result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        speech = Path(tmp) / "speech.wav"
        subprocess.run(
            [
                "espeak-ng",
                "-v",
                "fr",
                "-w",
                str(speech),
                "Bonjour à tous, nous parlons du budget et du projet de l'année prochaine.",
            ],
            check=True,
        )
        sizes = [int(arg) for arg in sys.argv[1:] if arg.isdigit()] or [2, 4]
        shares = (False,) if "--no-share" in sys.argv else (False, True)
        rows = []
        for n in sizes:
            for share in shares:
                rows.append(measure(n, speech, share))
                print(rows[-1], flush=True)  # each figure as soon as it is measured
    print(
        f"Embedded room, {WINDOW:.0f} s window, 640×480 grid at {float(FPS):g} fps, recording on, {os.cpu_count()} cores\n"
    )
    print(
        "| participants | screen share | dashboard CPU (% of one core) | Chromium CPU (all tabs) "
        "| dashboard RSS idle → in call |"
    )
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['participants']} | {'yes' if r['share'] else 'no'} | {r['server_cpu']:.0f} % | "
            f"{r['chromium_cpu']:.0f} % | "
            f"{r['server_rss_idle']:.0f} MB → {r['server_rss']:.0f} MB |"
        )


if __name__ == "__main__":
    main()
