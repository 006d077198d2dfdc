// The organization tree: pick one to see and edit its details; create sub-organizations.
import { Button, Grid, Group, NavLink, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import type { OrganizationMinimal } from '@lynx/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { FormAlert, FormDialog } from '../components/form-dialog.js';
import { PageHeader } from '../components/page-header.js';
import { Empty, QueryView } from '../components/states.js';
import { usePermissions } from '../session/use-permissions.js';
import { useTRPC } from '../trpc.js';

/** Tree nodes from the flat list; organizations whose parent is not visible become roots. */
export interface OrgNode {
  id: number;
  name: string;
  children: OrgNode[];
}

/** Nested buttons (keyboard reachable as they are); sub-organizations start open. */
function OrgNodes({ nodes, selected, onSelect }: { nodes: OrgNode[]; selected: number | null; onSelect: (id: number) => void }) {
  return (
    <>
      {nodes.map((n) => (
        <NavLink
          key={n.id}
          component="button"
          type="button"
          label={n.name}
          active={n.id === selected}
          aria-current={n.id === selected ? 'true' : undefined}
          onClick={() => onSelect(n.id)}
          defaultOpened
          childrenOffset={20}
        >
          {n.children.length > 0 ? <OrgNodes nodes={n.children} selected={selected} onSelect={onSelect} /> : undefined}
        </NavLink>
      ))}
    </>
  );
}

export function buildOrgTree(orgs: OrganizationMinimal[]): OrgNode[] {
  const ids = new Set(orgs.map((o) => o.id));
  const byParent = new Map<number, OrganizationMinimal[]>();
  for (const o of orgs) {
    const parent = ids.has(o.parent) && o.parent !== o.id ? o.parent : 0;
    byParent.set(parent, [...(byParent.get(parent) ?? []), o]);
  }
  const placed = new Set<number>();
  const node = (o: OrganizationMinimal): OrgNode => {
    placed.add(o.id);
    const children = (byParent.get(o.id) ?? []).filter((c) => !placed.has(c.id)).sort((a, b) => a.name.localeCompare(b.name));
    return { id: o.id, name: o.name, children: children.map(node) };
  };
  const byName = (a: OrganizationMinimal, b: OrganizationMinimal) => a.name.localeCompare(b.name);
  const roots = (byParent.get(0) ?? []).sort(byName).map(node);
  // Broken data (a parent cycle) must not hide organizations: what no root reached is shown at the top.
  for (const o of [...orgs].sort(byName)) if (!placed.has(o.id)) roots.push(node(o));
  return roots;
}

function OrgDetails({ id, parentName }: { id: number; parentName?: string }) {
  const trpc = useTRPC();
  const p = usePermissions();
  const queryClient = useQueryClient();
  const org = useQuery(trpc.organizations.get.queryOptions({ id }));
  const update = useMutation(trpc.organizations.update.mutationOptions());
  const del = useMutation(trpc.organizations.delete.mutationOptions());
  const [draft, setDraft] = useState({ name: '', email: '', phone: '', notes: '' });
  useEffect(() => {
    if (org.data) setDraft({ name: org.data.name, email: org.data.email, phone: org.data.phone, notes: org.data.notes });
  }, [org.data]);
  const canUpdate = p.has('organization/update');
  return (
    <QueryView query={org} what="the organization">
      {(o) => (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate(
              { id, data: draft },
              { onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.organizations.tree.queryKey() }) },
            );
          }}
        >
          <Stack gap="sm">
            <Title order={3} size="h4">
              {o.name}
            </Title>
            {parentName && (
              <Text size="sm" c="dimmed">
                Part of {parentName}
              </Text>
            )}
            <TextInput label="Name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })} readOnly={!canUpdate} />
            <TextInput label="Contact email" value={draft.email} onChange={(e) => setDraft({ ...draft, email: e.currentTarget.value })} readOnly={!canUpdate} />
            <TextInput label="Phone" value={draft.phone} onChange={(e) => setDraft({ ...draft, phone: e.currentTarget.value })} readOnly={!canUpdate} />
            <TextInput label="Notes" value={draft.notes} onChange={(e) => setDraft({ ...draft, notes: e.currentTarget.value })} readOnly={!canUpdate} />
            <FormAlert error={update.error} />
            <Group justify="space-between">
              {canUpdate && (
                <Button type="submit" loading={update.isPending}>
                  Save changes
                </Button>
              )}
              {p.has('organization/create_delete') && (
                <ConfirmButton
                  label="Delete organization"
                  title={`Delete ${o.name}?`}
                  message="Only an organization without sub-organizations, users and installations can be deleted."
                  buttonProps={{ size: 'sm' }}
                  pending={del.isPending}
                  error={del.error}
                  onConfirm={async () => {
                    await del.mutateAsync({ id });
                    await queryClient.invalidateQueries({ queryKey: trpc.organizations.tree.queryKey() });
                  }}
                />
              )}
            </Group>
          </Stack>
        </form>
      )}
    </QueryView>
  );
}

function CreateOrganization({ parent }: { parent: number | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const create = useMutation(trpc.organizations.create.mutationOptions());
  return (
    <FormDialog
      label="Create organization"
      size="md"
      buttonProps={{ leftSection: <IconPlus size={16} aria-hidden /> }}
      pending={create.isPending}
      error={create.error}
      onOpen={() => {
        create.reset();
        setName('');
      }}
      onSubmit={async () => {
        try {
          await create.mutateAsync({ name, ...(parent ? { parent } : {}) });
          await queryClient.invalidateQueries({ queryKey: trpc.organizations.tree.queryKey() });
          return true;
        } catch {
          return false;
        }
      }}
    >
      <TextInput label="Name" withAsterisk value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
      <Text size="sm" c="dimmed">
        {parent ? 'It is created under the selected organization.' : 'Select an organization in the tree first to create beneath it.'}
      </Text>
    </FormDialog>
  );
}

export function OrganizationsScreen() {
  const trpc = useTRPC();
  const p = usePermissions();
  const orgs = useQuery(trpc.organizations.tree.queryOptions());
  const data = useMemo(() => buildOrgTree(orgs.data ?? []), [orgs.data]);
  const [selected, setSelected] = useState<number | null>(null);
  const current = orgs.data?.find((o) => o.id === selected);
  const parentName = current ? orgs.data?.find((o) => o.id === current.parent)?.name : undefined;
  return (
    <>
      <PageHeader title="Organizations" description="Customers, sites and departments; users and installations belong to them." actions={p.has('organization/create_delete') && <CreateOrganization parent={selected} />} />
      <QueryView query={orgs} what="organizations">
        {(list) =>
          list.length === 0 ? (
            <Empty title="No organizations visible" hint="Ask an administrator for access." />
          ) : (
            <Grid>
              <Grid.Col span={{ base: 12, md: 5 }}>
                <Paper withBorder p="sm" component="nav" aria-label="Organization tree">
                  <OrgNodes nodes={data} selected={selected} onSelect={setSelected} />
                </Paper>
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 7 }}>
                <Paper withBorder p="md">{selected ? <OrgDetails key={selected} id={selected} parentName={parentName} /> : <Empty title="Select an organization" hint="Pick one in the tree to see its details." />}</Paper>
              </Grid.Col>
            </Grid>
          )
        }
      </QueryView>
    </>
  );
}
