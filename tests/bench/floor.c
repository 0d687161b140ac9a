/*
 * floor.c — the "libraries only" memory floor for `make bench`.
 *
 * Links the libraries outagebot links and brings each one to the state the
 * bot keeps it in for its whole life: libcurl with a multi handle, an
 * OpenSSL client context holding the system CA store, an in-memory SQLite
 * database that has run a statement, a jansson object, and a libconfig
 * tree parsed from a string. Then it prints "ready" and sleeps until it is
 * killed, so that bench.py can read its /proc/PID/status and set the bot's
 * RSS next to it. It does nothing else: whatever the bot uses beyond these
 * figures is the bot's own.
 *
 * Built by tests/bench/bench.py:
 *   cc -O2 floor.c $(pkg-config --cflags --libs libcurl openssl sqlite3
 *      jansson libconfig) -o build/bench/floor
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libconfig.h>
#include <openssl/ssl.h>
#include <sqlite3.h>

static int
fail(const char *what)
{
	fprintf(stderr, "floor: %s failed\n", what);
	return 1;
}

/* sqlite3_exec row callback: keep the single value so the query is used. */
static int
row(void *arg, int ncol, char **val, char **names)
{
	long	*out = arg;

	(void)names;
	if (ncol > 0 && val[0] != NULL)
		*out = strtol(val[0], NULL, 10);
	return 0;
}

int
main(void)
{
	static const char cfgtext[] =
	    "instance = \"floor\";\n"
	    "irc = { server = \"127.0.0.1\"; port = 6667; tls = false;\n"
	    "  nick = \"floor\"; channels = ( \"#bench\" ); };\n";
	CURLM		*multi;
	SSL_CTX		*ctx;
	sqlite3		*db;
	json_t		*obj;
	config_t	 cfg;
	char		*err = NULL;
	long		 answer = 0;

	/* libcurl: global state and a multi handle, as the HTTP layer has. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return fail("curl_global_init");
	if ((multi = curl_multi_init()) == NULL)
		return fail("curl_multi_init");

	/* OpenSSL: a client context that has loaded the default CA paths. */
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return fail("SSL_CTX_new");
	if (SSL_CTX_set_default_verify_paths(ctx) != 1)
		return fail("SSL_CTX_set_default_verify_paths");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);

	/* SQLite: an open database that has prepared and run one query. */
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return fail("sqlite3_open");
	if (sqlite3_exec(db, "CREATE TABLE t (n INTEGER);"
	    "INSERT INTO t VALUES (42);"
	    "SELECT n FROM t;", row, &answer, &err) != SQLITE_OK) {
		fprintf(stderr, "floor: sqlite3_exec: %s\n",
		    err != NULL ? err : "?");
		sqlite3_free(err);
		return 1;
	}

	/* jansson: one object with a member. */
	if ((obj = json_object()) == NULL ||
	    json_object_set_new(obj, "answer", json_integer(answer)) != 0)
		return fail("json_object");

	/* libconfig: a small tree parsed from a string. */
	config_init(&cfg);
	if (config_read_string(&cfg, cfgtext) != CONFIG_TRUE) {
		fprintf(stderr, "floor: config_read_string: line %d: %s\n",
		    config_error_line(&cfg), config_error_text(&cfg));
		return 1;
	}

	/* Everything stays alive while bench.py reads our status. */
	printf("ready %ld\n", answer);
	fflush(stdout);
	for (;;)
		pause();

	/* NOTREACHED: killed by bench.py. */
	config_destroy(&cfg);
	json_decref(obj);
	sqlite3_close(db);
	SSL_CTX_free(ctx);
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	return 0;
}
