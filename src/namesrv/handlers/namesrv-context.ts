import type { Logger } from '../../common/logger';
import type { KvConfigManager } from '../kv-config-manager';
import type { NamesrvConfig } from '../namesrv-config';
import type { RouteInfoManager } from '../route-info-manager';

/** What every name-server handler works on; built once by the controller. */
export interface NamesrvContext {
  readonly config: NamesrvConfig;
  readonly routes: RouteInfoManager;
  readonly kv: KvConfigManager;
  readonly logger: Logger;
}
