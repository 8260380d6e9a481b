# Belenus: mail and pages every minute, a backup every night, for the sites named in
# /etc/belenus/sites (none until you add one). Backup folder and retention: /etc/default/belenus.
SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin

* * * * *   root  [ -x /usr/lib/belenus/belenus-cron ] && /usr/lib/belenus/belenus-cron minute
17 3 * * *  root  [ -x /usr/lib/belenus/belenus-cron ] && /usr/lib/belenus/belenus-cron nightly
