import type { CommissioningService } from '../commissioning-service.js';

/** What the commissioning routes need from the hub. */
export type CommissioningApi = Pick<CommissioningService, 'state' | 'openWindow' | 'closeWindow' | 'approve' | 'reject' | 'edit' | 'remove' | 'sheet'>;
