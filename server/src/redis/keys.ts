/**
 * Every Redis key the server uses, in one place, under `REDIS_PREFIX`. A feature asks for
 * its keys here instead of joining strings, so two features can never disagree about a
 * name, and a Lua script receives every key it touches in KEYS.
 *
 * Hashed parts (`addr`, token and code hashes) are keyed hashes (`cipher.keyedHash`): no
 * address, token or code is ever part of a key.
 */
export function redisKeys(prefix: string) {
  const head = `${prefix}:`;
  const k = (...parts: string[]) => head + parts.join(':');
  return {
    prefix,
    /** Joins parts under the prefix: for keys not (yet) named below. */
    join: k,

    // ---- one conversation
    /** Hash: the conversation's fields (see conversations/store.ts). */
    conversation: (id: string) => k('conv', id),
    /** Stream: its messages, sealed. */
    messages: (id: string) => k('conv', id, 'msgs'),
    /** Hash: client message id → stream id, for idempotent resends. */
    clientMessageIds: (id: string) => k('conv', id, 'cmids'),
    /** Stream: its private notes, sealed. */
    notes: (id: string) => k('conv', id, 'notes'),
    /** String: the visitor's address hash, kept an hour after the end so that it can be blocked. */
    endedAddress: (id: string) => k('conv', id, 'addr'),
    /** String: resume token hash → conversation id. */
    resumeToken: (hash: string) => k('resume', hash),
    /** String: return code hash → conversation id. */
    returnCode: (hash: string) => k('return', hash),

    // ---- the queue
    /** Sorted set: waiting conversations of one line and language, by routing score. */
    waiting: (line: string, language: string) => k('waiting', line, language),
    /** Sorted set: release 1's single waiting set, drained into the per-line, per-language sets. */
    legacyWaiting: k('waiting'),
    /** Sorted set: release 2's waiting set of one language (before lines), drained into the first line's. */
    legacyLanguageWaiting: (language: string) => k('waiting', language),
    /**
     * Sorted set: waiting conversations of one line nobody on shift speaks the language of,
     * after LANGUAGE_FALLBACK_S: Dutch and English speakers may take them too. Scored to rank
     * after conversations in the operator's own languages of the same priority.
     */
    fallback: (line: string) => k('fallback', line),
    /** Sorted set: release 2's one fallback set (before lines), drained into the first line's. */
    legacyFallback: k('fallback'),
    /** Set: every line id this deployment has run with, so that a removed line's waiting sets are still read. */
    linesSeen: k('lines', 'seen'),
    /** Sorted set: waiters held out of routing (visitor gone too long), with their score. */
    held: k('held'),
    /** Sorted set: waiters whose visitor is away, by the time they left. */
    waitingAway: k('waiting-away'),
    /**
     * Sorted set: away conversations (waiting or active) by when their return window closes;
     * the sweep ends from here those whose away-expire job was lost.
     */
    awayUntil: k('away-until'),
    /**
     * Sorted set: ended conversations whose steps after the end script (notices, the ended
     * list, the purge job, the audit entry) are not all done, by when they ended; the sweep
     * finishes those whose caller was cut off and never asked again.
     */
    endsPending: k('ends-pending'),
    /** Set: active conversations. */
    active: k('active'),
    /** Sorted set: visitor presence, conversation id → ms until which it counts as connected. */
    visitorPresence: k('vpresence'),

    // ---- operators on the route
    /** Set: operators who have signed in to the console. */
    routeOperators: k('route', 'ops'),
    /** Set: operators with status available. */
    routeAvailable: k('route', 'available'),
    /** Hash: what routing knows of an operator (status, langs, cap, name, lastSeen). */
    routeOperator: (id: string) => k('route', 'op', id),
    /** Set: an operator's active conversations. */
    operatorConversations: (id: string) => k('op', id, 'convs'),
    /** Sorted set: an operator's live sockets, by presence expiry. */
    operatorSockets: (id: string) => k('op', id, 'conns'),
    /** Sorted set: conversations that ended in an operator's hands, by when retention removes them. */
    operatorEnded: (id: string) => k('op', id, 'ended'),

    // ---- figures
    /** Hash: line-wide running figures (the wait EWMA). */
    stats: k('stats'),
    /** Hash: one UTC day's counts. */
    statsDay: (day: string) => k('stats', day),
    /** List: one UTC day's waits in ms. */
    statsDayWaits: (day: string) => k('stats', day, 'waits'),
    /**
     * Hash: one line's counts of one Europe/Amsterdam day (`started`, `answered`, `abandoned`,
     * `ended`, `urgent`, `reports`); numbers only, kept 400 days (stats/daily.ts).
     */
    lineDay: (line: string, day: string) => k('stats', 'line', line, day),
    /** Hash: that day's waits of answered conversations, whole seconds → how many. */
    lineDayWaits: (line: string, day: string) => k('stats', 'line', line, day, 'waits'),
    /** Hash: one UTC day's danger signals, `raised:<category>` and `dismissed:<category>` (no ids). */
    signalFigures: (day: string) => k('stats', day, 'signals'),
    /** Hash: the same counts for one line and one Europe/Amsterdam day, kept 400 days. */
    lineDaySignals: (line: string, day: string) => k('stats', 'line', line, day, 'signals'),

    // ---- visitor limits and blocks
    /** String counter: new visitor connections of an address this minute. */
    connectionThrottle: (addr: string) => k('throttle', 'conn', addr),
    /** Hash: failed return codes of an address (`n`, `until`). */
    returnCodeThrottle: (addr: string) => k('throttle', 'return-code', addr),
    /**
     * Hash: failed return codes of a network, IPv6 /48 or IPv4 /24 (`n`, `until`): one
     * tunnel-broker /48 holds 65,536 addresses as the rule above counts them.
     */
    returnCodeNetworkThrottle: (net: string) => k('throttle', 'return-code-net', net),
    /** Hash: failed return codes of the whole deployment in a short fixed window (`n`, `until`). */
    returnCodeGlobalThrottle: k('throttle', 'return-code-all'),
    /** Set: an address's open conversations. */
    openByAddress: (addr: string) => k('open', addr),
    /** String counter: conversations an address started in the current hour's window. */
    startsByAddress: (addr: string) => k('throttle', 'starts', addr),
    /** Set: a network's open conversations (IPv6 /48, IPv4 /24: VISITOR_OPEN_PER_NETWORK). */
    openByNetwork: (net: string) => k('open-net', net),
    /** String counter: conversations a network started in the current hour's window. */
    startsByNetwork: (net: string) => k('throttle', 'starts-net', net),
    /** String: the block in force on an address (its block id). */
    blockedAddress: (addr: string) => k('block', 'addr', addr),
    /**
     * Hash: one block (addr hash, createdAt, expiresAt, operatorName); once lifted only
     * `{ lifted }`, until the block would have run out (only a supervisor blocks it again).
     */
    block: (blockId: string) => k('block', blockId),
    /** Sorted set: blocks by expiry. */
    blocks: k('blocks'),

    // ---- staff accounts and sessions (operators/store.ts, auth/)
    accounts: {
      /** Hash: the account's fields. */
      operator: (id: string) => k('operator', id),
      /** Hash: lower-cased username → operator id (uniqueness and lookup). */
      byUsername: k('operators', 'by-username'),
      /** Set: the ids of the operator's sessions, so all can be revoked. */
      sessionsOf: (id: string) => k('operator', id, 'sessions'),
      /** String: the last TOTP counter accepted, against replay. */
      totpLast: (id: string) => k('operator', id, 'totp-last'),
      /** Hash: one session, keyed by the hash of its token. */
      session: (sessionId: string) => k('session', sessionId),
      /**
       * Hash: a login-throttling counter, named by a keyed hash (never a raw username or
       * address): per (username, address), per username, or per address.
       */
      loginThrottle: (kind: 'pair' | 'user' | 'address', hash: string) => k('login-throttle', kind, hash),
      /** String: this username signed in from this address recently (keyed hash of both). */
      loginKnown: (hash: string) => k('login-known', hash),
      /** Pub/sub channel: an operator's sessions were revoked; payload is the operator id. */
      revokedChannel: k('events', 'operator-revoked'),
      /**
       * Pub/sub channel: what an account may see or do changed (role, languages); payload is
       * `<operator id> <access revision>`. Live sockets built on an older revision are cut.
       */
      accessChannel: k('events', 'operator-access'),
    },

    // ---- Veilig Thuis reports (reports/store.ts)
    /** Hash: one report's status and sealed box. */
    report: (reportId: string) => k('report', reportId),
    /** Sorted set: a conversation's reports. */
    reportsOf: (conversationId: string) => k('reports', 'conv', conversationId),
    /** Sorted set: every report, newest last. */
    reports: k('reports', 'all'),
    /** String: a submission's Idempotency-Key, per operator → the report it made. */
    reportIdempotency: (operatorId: string, key: string) => k('report-idem', operatorId, key),

    // ---- the rest
    /** String: the fence written before a `WAIT` for writes made on another connection (redis/durable.ts). */
    ackFence: k('ack-fence'),
    /** String: a page of this kind for this line went out; it expires after ONCALL_MIN_INTERVAL_S. */
    oncallPaged: (kind: string, line: string) => k('oncall', kind, line),
    /** String: the instance that reports the cluster-wide metrics (metrics/cluster.ts). */
    metricsLeader: k('metrics', 'leader'),
    /** Stream: the audit trail, never content. */
    audit: k('audit'),
    /**
     * String: an entry of `action` was audited for `scope` (a session id, an account id, or an
     * account and a conversation) in the current window; it expires with the window
     * (`AuditLog.recordOncePer`).
     */
    auditOnce: (action: string, scope: string) => k('audit-once', action, scope),
    /** String: looks at content an account had recorded in its budget window (`AuditLog.recordLook`). */
    auditLooks: (accountId: string) => k('audit-looks', accountId),
    /** Hash: canned responses, `<id>:<language>` → JSON. */
    canned: k('canned'),
    /** String: the version of the defaults the canned list was last seeded with. */
    cannedSeed: k('canned', 'seed'),
    /** Pub/sub: an operator's sessions were revoked (payload: operator id). */
    operatorRevokedChannel: k('events', 'operator-revoked'),
    /** Pub/sub: one session was revoked (payload: session id). */
    sessionRevokedChannel: k('events', 'session-revoked'),
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
