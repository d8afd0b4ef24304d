import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wellBehaved } from './hub-blocks-helpers.js';
import { useBlocksSite } from './hub-blocks-site.js';

const { hubSite, site, upstream } = useBlocksSite();

describe('hub mode functional blocks: firmware (strict CSMS, strict 1.6 and 2.0.1 chargers)', () => {
  describe('firmware', () => {
    let files: Server;
    let requests = 0;
    const image = Buffer.alloc(64 * 1024, 7);
    const md5 = createHash('md5').update(image).digest('hex');
    let imageUrl = '';

    beforeEach(async () => {
      requests = 0;
      files = createServer((_req, res) => {
        requests++;
        res.writeHead(200, { 'content-length': image.length }).end(image);
      });
      await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
      imageUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/images/fw-2.0.bin`;
    });

    afterEach(async () => {
      files.closeAllConnections();
      await new Promise<void>((resolve) => files.close(() => resolve()));
    });

    it('fetches the image once, hands every charger a local URL, and reports per-EVSE progress with the requestId', async () => {
      const s = await site();
      const firmware = { location: imageUrl, retrieveDateTime: new Date(hubSite.clock.nowMs()).toISOString() };
      await expect(hubSite.server.call('UpdateFirmware', { requestId: 12, firmware })).resolves.toEqual({ status: 'Accepted' });
      const local16 = String(s.in16.of('UpdateFirmware')[0]?.location);
      const sent201 = s.in201.of('UpdateFirmware')[0] as { requestId: number; firmware: { location: string; retrieveDateTime: string } };
      expect(s.in16.of('UpdateFirmware')).toEqual([{ location: local16, retrieveDate: firmware.retrieveDateTime }]);
      expect(sent201).toEqual({ requestId: 12, firmware: { ...firmware, location: sent201.firmware.location } });
      expect(local16).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/firmware\//);
      expect(sent201.firmware.location).toBe(local16);
      // Both chargers download from the hub; the CSMS's server is asked once.
      for (const url of [local16, sent201.firmware.location]) expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(image)).toBe(true);
      expect(requests).toBe(1);

      for (const status of ['Downloading', 'Downloaded', 'Installing', 'Installed']) {
        await s.c16.call('FirmwareStatusNotification', { status });
        await s.c201.call('FirmwareStatusNotification', { status, requestId: 12 });
      }
      await hubSite.csms.until(() => upstream('FirmwareStatusNotification').length === 8);
      const seen = upstream('FirmwareStatusNotification').map((p) => [p.status, p.requestId, (p.customData as { evseIds: number[] }).evseIds, (p.customData as { evseStatus: string }).evseStatus]);
      expect(seen).toEqual([
        ['DownloadScheduled', 12, [1], 'Downloading'],
        ['Downloading', 12, [2], 'Downloading'],
        ['Downloading', 12, [1], 'Downloaded'],
        ['Downloaded', 12, [2], 'Downloaded'],
        ['Downloaded', 12, [1], 'Installing'],
        ['Installing', 12, [2], 'Installing'],
        ['Installing', 12, [1], 'Installed'],
        ['Installed', 12, [2], 'Installed'],
      ]);
    });

    it('publishes an image for the chargers (PublishFirmware), refuses a bad checksum, and unpublishes it', async () => {
      await site();
      await expect(hubSite.server.call('PublishFirmware', { location: imageUrl, checksum: md5, requestId: 3 })).resolves.toEqual({ status: 'Accepted' });
      await hubSite.csms.until(() => upstream('PublishFirmwareStatusNotification').length === 4);
      const notes = upstream('PublishFirmwareStatusNotification');
      expect(notes.map((n) => n.status)).toEqual(['Downloading', 'Downloaded', 'ChecksumVerified', 'Published']);
      const published = (notes[3]?.location as string[])[0] ?? '';
      expect(Buffer.from(await (await fetch(published)).arrayBuffer()).equals(image)).toBe(true);
      // UpdateFirmware with the published URL reuses the image.
      await expect(hubSite.server.call('UpdateFirmware', { requestId: 4, firmware: { location: published, retrieveDateTime: new Date().toISOString() } })).resolves.toEqual({ status: 'Accepted' });
      expect(requests).toBe(1);
      await expect(hubSite.server.call('UnpublishFirmware', { checksum: md5 })).resolves.toEqual({ status: 'Unpublished' });
      await expect(hubSite.server.call('UnpublishFirmware', { checksum: md5 })).resolves.toEqual({ status: 'NoFirmware' });
      expect((await fetch(published)).status).toBe(404);

      await expect(hubSite.server.call('PublishFirmware', { location: `${imageUrl}?v=2`, checksum: '0'.repeat(32), requestId: 5 })).resolves.toEqual({ status: 'Accepted' });
      await hubSite.csms.until(() => upstream('PublishFirmwareStatusNotification').some((n) => n.requestId === 5 && n.status === 'InvalidChecksum'));
      expect(upstream('PublishFirmwareStatusNotification').filter((n) => n.requestId === 5).map((n) => n.status)).toEqual(['Downloading', 'Downloaded', 'InvalidChecksum']);
    });

    it('answers Rejected when no charger takes the update', async () => {
      await site(
        (action, p) => (action === 'UpdateFirmware' ? new Promise<Record<string, unknown>>(() => undefined) : wellBehaved('1.6')(action, p)),
        (action, p) => (action === 'UpdateFirmware' ? { status: 'Rejected' } : wellBehaved('2.0.1')(action, p)),
      );
      hubSite.clients[0]?.close({ force: true }).catch(() => undefined); // the 1.6 charger goes away mid-call
      await expect(hubSite.server.call('UpdateFirmware', { requestId: 1, firmware: { location: imageUrl, retrieveDateTime: new Date().toISOString() } })).resolves.toMatchObject({ status: 'Rejected' });
    });
  });
});
