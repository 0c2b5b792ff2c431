/* http.h - the running server: libmicrohttpd (HTTPS through GnuTLS, or plain HTTP on
 * 127.0.0.1 only) with a pool of threads, each request read whole (within the body limit) and
 * handed to api.h; Date (libmicrohttpd's), X-Server-Time-Ms, Cache-Control and, on 429/503,
 * Retry-After on every reply. Runs until SIGINT or SIGTERM. */
#ifndef SRV_HTTP_H
#define SRV_HTTP_H

typedef struct srv_http_config {
    const char *db_spec;  /* storage.h: sqlite:PATH or pg:CONNINFO */
    const char *host;     /* an IPv4 address */
    unsigned short port;  /* 0: any free port (the ready line says which) */
    const char *tls_cert; /* PEM files; both or neither */
    const char *tls_key;
    const char *faults_fifo;   /* NULL: no fault injection */
    int threads;               /* request threads (and at most as many database connections) */
    const char *base_path;     /* NULL or a prefix the endpoints live under ("/kiosk-api") */
    const char *admin_host;    /* NULL: no admin page; else its address (web.h), with ... */
    unsigned short admin_port; /* ... its port, and the API's TLS certificate and key */
} srv_http_config;

/* Serves until SIGINT/SIGTERM; prints "server: listening on URL (BACKEND)" on standard output
 * when ready. Returns the exit status: 0 after a signal, 1 when it could not start, 2 for a
 * configuration the server refuses (plain HTTP off the loopback, a missing certificate). Call
 * from the main thread before any other thread exists. */
int srv_http_run(const srv_http_config *cfg);

#endif
