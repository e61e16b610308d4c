/* The PostgreSQL floor: a C program that connects with libpq to the URL in $DATABASE_URL, runs one statement and
 * disconnects. A licensor sale on PostgreSQL pays at least this (loading libpq and its dependencies, the TCP
 * connection, SCRAM authentication, the server starting a backend) on top of its own work. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    PGconn *connection = PQconnectdb(getenv("DATABASE_URL") ? getenv("DATABASE_URL") : "");
    if (PQstatus(connection) != CONNECTION_OK) {
        fprintf(stderr, "pg-connect: %s", PQerrorMessage(connection));
        return 1;
    }
    PGresult *result = PQexec(connection, "SELECT 1");
    int ok = PQresultStatus(result) == PGRES_TUPLES_OK;
    PQclear(result);
    PQfinish(connection);
    return ok ? 0 : 1;
}
