// Change events the AAM emits on the bus (spec 4.5): `<client_id>/evt/<kind>/updated` with `{}`.
// Services call this after a committed change unless the caller asked for `silent=true`.

export type ChangeKind = 'installation' | 'devicex' | 'functionx' | 'schedule' | 'edge_app';

export interface ChangePublisher {
  changed(clientId: number, kind: ChangeKind): void;
}
