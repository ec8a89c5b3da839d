"""tap: TAP lines for the test scripts written in Python (tests/tap.sh is
the shell side). check() prints one result; done() exits 1 if any failed."""
import sys

failed = 0


def check(ok, name, *diag):
    """'ok - name' or 'not ok - name' and up to 12 lines of each diag."""
    global failed
    print(('ok' if ok else 'not ok') + ' - ' + name)
    if not ok:
        failed += 1
        for d in diag:
            for line in str(d).splitlines()[:12]:
                print('#   ' + line)


def done():
    sys.exit(1 if failed else 0)
