import { z } from 'zod/mini';

// Must run before any schema is built: zod would otherwise probe `new Function`, which
// this page's CSP (no unsafe-eval) forbids and reports as a violation.
z.config({ jitless: true });
