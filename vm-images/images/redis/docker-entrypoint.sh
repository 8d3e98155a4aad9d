#!/bin/sh
# Entrypoint of Dockside's redis image, after the official one: `docker run redis --appendonly yes`
# (or a *.conf file as the first argument) means redis-server with those arguments, and the server
# runs as the user redis, owning /data.
set -e
case "$1" in
  -* | *.conf) set -- redis-server "$@" ;;
esac
if [ "$1" = redis-server ]; then
  # Without a configuration file, accept connections from other containers (the official image
  # builds redis with protected mode off for the same reason).
  case " $* " in
    *" --protected-mode "* | *.conf*) ;;
    *) set -- "$@" --protected-mode no ;;
  esac
  if [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
  fi
fi
exec "$@"
