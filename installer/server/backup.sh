#!/bin/sh
# Nightly dump of the city database (custom format: restorable table by table), kept 35 days, checksummed.
# Usage: backup.sh FOLDER [DATABASE]   (run as the postgres user; see counterdesk-backup.service)
set -eu
folder=$1
database=${2:-counterdesk}
stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$folder"
pg_dump -Fc --no-owner -f "$folder/.$database-$stamp.dump.partial" "$database"
mv "$folder/.$database-$stamp.dump.partial" "$folder/$database-$stamp.dump"
(cd "$folder" && sha256sum "$database-$stamp.dump" >> SHA256SUMS)
find "$folder" -name "$database-*.dump" -mtime +35 -delete
