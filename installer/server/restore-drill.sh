#!/bin/sh
# The monthly restore drill: the newest dump into a scratch database, migrated, every stored case's content hash
# recomputed. Exit 0 only when all of it worked. Usage: restore-drill.sh FOLDER [DATABASE]
# (PGHOST, PGPORT, PGUSER as for any PostgreSQL tool; COUNTERDESK_SERVER: the command, if not the package's)
set -eu
folder=$1
database=${2:-counterdesk}
newest=$(ls -1 "$folder"/"$database"-*.dump | tail -n 1)
(cd "$folder" && grep " $(basename "$newest")\$" SHA256SUMS | sha256sum -c -)
scratch="${database}_drill"
dropdb --if-exists "$scratch"
createdb "$scratch"
pg_restore --no-owner -d "$scratch" "$newest"
server=${COUNTERDESK_SERVER:-/opt/counterdesk-server/bin/counterdesk-server}
export COUNTERDESK_DB_URL="postgresql+psycopg://${PGUSER:-$(id -un)}@${PGHOST:-localhost}:${PGPORT:-5432}/$scratch"
$server migrate
$server verify
dropdb "$scratch"
echo "restore drill passed: $newest"
