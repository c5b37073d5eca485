#!/bin/sh
# Writes nginx's site from the template (upload limit, DNS resolver, the web and asgi addresses) and starts
# nginx. The TLS certificate and key are mounted at /etc/nginx/tls/ (fullchain.pem, privkey.pem).
set -eu
for file in /etc/nginx/tls/fullchain.pem /etc/nginx/tls/privkey.pem; do
  [ -r "$file" ] || { echo "missing $file: mount the TLS certificate directory (TLS_DIR)" >&2; exit 1; }
done
resolver=$(awk '/^nameserver/ {print $2; exit}' /etc/resolv.conf)
sed -e "s|@UPLOAD_MAX@|${UPLOAD_MAX:-520m}|g" -e "s|@RESOLVER@|${resolver:-127.0.0.11}|g" \
    -e "s|@WEB@|${WEB_UPSTREAM:-web:8000}|g" -e "s|@ASGI@|${ASGI_UPSTREAM:-asgi:8001}|g" \
    /etc/nginx/sferum.conf.template >/etc/nginx/conf.d/sferum.conf
exec "$@"
