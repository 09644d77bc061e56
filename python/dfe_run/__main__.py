"""python3 -m dfe_run DIR [PNG]: prints what a run directory holds and, for a run with --R, its
verdicts table; with PNG, writes the verdicts' checks against their bounds there (plot_verdicts)."""
import sys

from . import load, plot_verdicts


def main(argv):
    if len(argv) not in (1, 2) or argv[0] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        return 2
    run = load(argv[0])
    print(run)
    if run.verdict_info is not None:
        print(run.verdict_info.get("text", ""), end="")
    if len(argv) == 2:
        plot_verdicts(run, argv[1])
        print(f"wrote {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
