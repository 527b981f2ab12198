"""Runs every entry of docs/errors.md and checks its exact message.

usage: check_errors_md.py ERRORS_MD WORKDIR

An entry is a '### title' section. Its '```json NAME' blocks are written to
WORKDIR/NAME; each '$ command' line of its '```console' blocks runs (with
bash, in WORKDIR) and must exit with code 1 and print exactly the lines that
follow it. WORKDIR also holds, before the first entry runs, `lenet5`
(models/lenet5.json compiled) and the files of test/runtime/Inputs/
make_bad_files.py, which the entries on weights and inputs use.
Prints one line per entry and a closing 'N passed, M failed'.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def entries(text):
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        title = section.splitlines()[0].strip()
        files = re.findall(r"^```json (\S+)\n(.*?)^```", section, re.S | re.M)
        consoles = re.findall(r"^```console\n(.*?)^```", section, re.S | re.M)
        commands = []
        for block in consoles:
            current = None
            for line in block.splitlines():
                if line.startswith("$ "):
                    current = [line[2:], []]
                    commands.append(current)
                elif current is not None:
                    current[1].append(line)
        yield title, files, commands


def main():
    doc, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "test", "runtime", "Inputs",
                                                     "make_bad_files.py"), workdir], check=True)
    subprocess.run(["cnnc", "compile", os.path.join(ROOT, "models", "lenet5.json"), "-o",
                    os.path.join(workdir, "lenet5")], check=True)
    passed = failed = 0
    for title, files, commands in entries(open(doc).read()):
        for name, body in files:
            # An empty block stands for an empty file.
            body = body.rstrip("\n")
            with open(os.path.join(workdir, name), "w") as f:
                f.write(body + "\n" if body else "")
        problems = [] if commands else ["no command"]
        for command, expected in commands:
            run = subprocess.run(["bash", "-c", command], cwd=workdir, capture_output=True,
                                 text=True)
            actual = (run.stdout + run.stderr).rstrip("\n").split("\n")
            if run.returncode != 1:
                problems.append(f"'{command}' exited with {run.returncode}, not 1")
            if actual != expected:
                problems.append(f"'{command}' printed {actual!r}, the catalogue says {expected!r}")
        if problems:
            failed += 1
            print(f"FAIL: {title}: " + "; ".join(problems))
        else:
            passed += 1
            print(f"PASS: {title}")
    print(f"errors.md: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
