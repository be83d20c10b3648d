# Sourced by the benchmark and soak scripts: a throwaway nginx on a free loopback port, run as
# the current user from a temporary folder (no system configuration touched).
#
#   source scripts/lib/loopback-nginx.sh
#   port=$(free_port)
#   start_loopback_nginx "$work/nginx" "$port" "root $work/site; location / { try_files \$uri =404; }" /robots.txt
#   ...                                  # $nginx_pid is set; stop_loopback_nginx in the EXIT trap
#
# The scripts differ only in their server block; the http settings they share (keep-alive for
# a million requests, sendfile, UTF-8 charset on HTML, XML and text) are here once.

nginx_pid=""

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The nginx binary (Debian installs it in /usr/sbin, which may not be on PATH).
loopback_nginx_binary() {
    command -v nginx || echo /usr/sbin/nginx
}

# start_loopback_nginx DIR PORT SERVER_DIRECTIVES READY_PATH
# Writes DIR/nginx.conf with one server on 127.0.0.1:PORT holding SERVER_DIRECTIVES, starts
# nginx in the foreground as a background job (pid in $nginx_pid) and waits up to 5 s until
# READY_PATH answers 2xx. Returns 1, with the end of the error log on stderr, if it does not.
start_loopback_nginx() {
    local dir=$1 port=$2 server=$3 ready=$4
    local binary; binary=$(loopback_nginx_binary)
    mkdir -p "$dir/logs"
    # As root, nginx would run its worker as nobody, who cannot read a private temp folder.
    local user_line=""
    if [ "$(id -u)" -eq 0 ]; then user_line="user root root;"; fi
    cat > "$dir/nginx.conf" <<CONF
$user_line
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/client;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    types {
        text/html html;
        application/xml xml;
        application/rss+xml rss;
        text/plain txt;
    }
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/plain application/xml;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    open_file_cache off;
    server {
        listen 127.0.0.1:$port;
        $server
    }
}
CONF
    "$binary" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' &
    nginx_pid=$!
    local attempt
    for attempt in $(seq 50); do
        curl -sf -o /dev/null "http://127.0.0.1:$port$ready" && break
        sleep 0.1
    done
    if ! curl -sf -o /dev/null "http://127.0.0.1:$port$ready"; then
        echo "nginx did not start or does not serve $ready (see $dir/logs/error.log):" >&2
        tail -5 "$dir/logs/error.log" >&2
        return 1
    fi
    echo "nginx $("$binary" -v 2>&1 | sed 's/.*: //') on 127.0.0.1:$port" >&2
}

# Stops the nginx started by start_loopback_nginx, if any (for EXIT traps).
stop_loopback_nginx() {
    if [ -n "$nginx_pid" ]; then
        kill "$nginx_pid" 2>/dev/null || true
        wait "$nginx_pid" 2>/dev/null || true
        nginx_pid=""
    fi
}
