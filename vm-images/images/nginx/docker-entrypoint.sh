#!/bin/sh
# Entrypoint of Dockside's nginx image, a small cousin of the official one: before nginx starts, run
# the executable *.sh scripts in /docker-entrypoint.d/ (in name order), then exec the command so that
# nginx is PID 1 and gets `docker stop`'s SIGQUIT.
set -e
if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
  for script in /docker-entrypoint.d/*.sh; do
    [ -f "$script" ] || continue
    if [ -x "$script" ]; then
      echo "$0: running $script"
      "$script"
    else
      echo "$0: ignoring $script (not executable)"
    fi
  done
  echo "$0: starting nginx"
fi
exec "$@"
