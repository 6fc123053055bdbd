#!/usr/bin/env python3
"""Lays out the bind mounts of one docker-compose service under a root folder, exactly where the
container sees them, and prints the container-side path of a file named by a command-line flag.

    compose_layout.py CONFIG.yml SERVICE ROOT [--flag=--config.file]

CONFIG.yml is the output of `docker-compose config` (host paths resolved). Every bind mount
`HOST:TARGET` of SERVICE is copied to ROOT/TARGET. Absolute paths inside the service's config
that point into the container (Prometheus `rule_files`) are rewritten to ROOT so a checker run
on the host resolves them as the container would (relative paths need no rewriting).
Used by scripts/test-infra.sh (`promtool check config` on the real prometheus.yml)."""
import os
import shutil
import sys

import yaml


def mounts(service):
    for v in service.get("volumes", []):
        if isinstance(v, str):
            parts = v.split(":")
            if len(parts) < 2 or not parts[0].startswith("/"):
                continue  # a named volume
            yield parts[0], parts[1]
        elif v.get("type") == "bind":
            yield v["source"], v["target"]


def main():
    config, name, root = sys.argv[1:4]
    flag = next((a.split("=", 1)[1] for a in sys.argv[4:] if a.startswith("--flag=")), "--config.file")
    with open(config) as f:
        compose = yaml.safe_load(f)
    service = compose["services"][name]
    laid = 0
    for source, target in mounts(service):
        if not os.path.exists(source):
            sys.exit(f"compose_layout: {name} mounts {source}, which does not exist")
        dest = os.path.join(root, target.lstrip("/"))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if os.path.isdir(source):
            shutil.copytree(source, dest, symlinks=True)
        else:
            shutil.copy2(source, dest)
        laid += 1
    if laid == 0:
        sys.exit(f"compose_layout: service {name} has no bind mounts")
    command = service.get("command", [])
    if isinstance(command, str):
        command = command.split()
    target = next((c.split("=", 1)[1] for c in command if c.startswith(flag + "=")), None)
    if target is None:
        sys.exit(f"compose_layout: service {name} has no {flag}= in its command")
    path = os.path.join(root, target.lstrip("/"))
    if not os.path.isfile(path):
        sys.exit(f"compose_layout: {flag}={target} is not mounted into {name}")
    # Container-absolute rule file globs → under ROOT (as the container resolves them).
    with open(path) as f:
        cfg = yaml.safe_load(f) or {}
    rules = cfg.get("rule_files") or []
    if any(r.startswith("/") for r in rules):
        cfg["rule_files"] = [os.path.join(root, r.lstrip("/")) if r.startswith("/") else r for r in rules]
        with open(path, "w") as f:
            yaml.safe_dump(cfg, f, sort_keys=False)
    print(path)


if __name__ == "__main__":
    main()
