import { z } from 'zod';

/** An id in the site config (station, circuit, meter, site identity): what may appear in a URL path and a log line. */
export const idString = z.string().min(1).max(48).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');
