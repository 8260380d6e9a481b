// The outbox and its transports (SPEC §7). The outbox table is in BelenusStore's schema;
// the transports come with the gateway, which is the first to queue mail.
