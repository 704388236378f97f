"""`make bench`: run each benchmark; each writes its figures to bench/results/."""

from __future__ import annotations

import child_page_bench
import encompass_bench
import feeds_bench
import mash_bench
import pages_bench
import seed_bench


def main() -> None:
    seed_bench.main([])
    feeds_bench.main([])
    child_page_bench.main([])
    mash_bench.main([])
    encompass_bench.main([])
    pages_bench.main([])


if __name__ == "__main__":
    main()
