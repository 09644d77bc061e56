"""The verdict tables the README shows for the examples are what dfe-run prints for them.

    check_readme_verdicts.py README DFE_RUN WORKDIR MPIEXEC [MPIEXEC_FLAGS...] [--update]

Every block of the README introduced by a line `<!-- verdicts: examples/NAME.ini -->` followed by a
fenced code block is compared with the verdicts table of
`MPIEXEC -n 2 DFE_RUN --config examples/NAME.ini` (run from the repository root): the words exactly,
the numbers to 1e-5 relative (the last printed digit may move with FFTW's plans). With --update the
README's blocks are rewritten from the runs instead.
"""
import os
import re
import subprocess
import sys

args = [a for a in sys.argv[1:] if a != "--update"]
update = "--update" in sys.argv[1:]
readme, dfe_run, work, launcher = args[0], args[1], args[2], args[3:]
root = os.path.dirname(os.path.abspath(readme))
text = open(readme).read()
pattern = re.compile(r"<!-- verdicts: (examples/[\w.-]+\.ini) -->\n```\n(.*?)```\n", re.S)
blocks = list(pattern.finditer(text))
failures = []
if not blocks:
    failures.append("the README has no '<!-- verdicts: examples/NAME.ini -->' block")


def verdict_table(stdout):
    lines = stdout.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("Verdicts of the proof"))
    end = next(i for i in range(start, len(lines)) if re.match(r"  (not )?every check held", lines[i]))
    return "\n".join(lines[start:end + 1]) + "\n"


def same(a, b):
    ta, tb = a.split(), b.split()
    if len(ta) != len(tb):
        return False
    for x, y in zip(ta, tb):
        if x == y:
            continue
        try:
            fx, fy = float(x.strip("(),=t")), float(y.strip("(),=t"))
        except ValueError:
            return False
        if abs(fx - fy) > 1e-5 * max(abs(fx), abs(fy)):
            return False
    return True


new_text = text
for m in blocks:
    config = m.group(1)
    out = os.path.join(work, os.path.basename(config))
    cmd = launcher + ["-n", "2", dfe_run, "--config", os.path.join(root, config), "--out", out]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=root)
    if p.returncode != 0:
        failures.append(f"{config}: dfe-run exited {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
        continue
    printed = verdict_table(p.stdout)
    if update:
        new_text = new_text.replace(m.group(0), f"<!-- verdicts: {config} -->\n```\n{printed}```\n")
        print(f"updated {config}")
    elif same(printed, m.group(2)):
        print(f"ok    {config}: the README's verdicts are what dfe-run prints")
    else:
        failures.append(f"{config}: the README shows\n{m.group(2)}but dfe-run prints\n{printed}")
if update:
    open(readme, "w").write(new_text)
for f in failures:
    print("FAIL  " + f)
print(f"{len(blocks) - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
