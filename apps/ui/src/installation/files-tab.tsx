// Files stored for the installation (images, floor plans, firmware): upload, download, delete.
// Uploads go over tRPC as base64; downloads come from the REST download route by hash, because a
// plain link cannot carry the session's API key.
import { Alert, Button, FileInput, Group, Text, TextInput } from '@mantine/core';
import { IconDownload, IconPaperclip, IconTrash, IconUpload } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { StoredFile } from '@lynx/shared';
import { ConfirmButton } from '../components/confirm-button.js';
import { DataTable } from '../components/data-table.js';
import { FormDialog } from '../components/form-dialog.js';
import { Empty, QueryView } from '../components/states.js';
import { acceptedExtensions, bytesToBase64, mimeFor, uploadProblem } from '../lib/file-upload.js';
import { useRestGet, saveResponse } from '../lib/rest-get.js';
import { formatTime } from '../lib/time.js';
import { usePermissions } from '../session/use-permissions.js';
import { errorMessage, useTRPC } from '../trpc.js';

function UploadDialog({ installationId }: { installationId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const upload = useMutation(trpc.files.upload.mutationOptions());
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <FormDialog
      label="Upload file"
      buttonProps={{ leftSection: <IconUpload size={16} aria-hidden /> }}
      pending={upload.isPending}
      error={problem ? new Error(problem) : upload.error}
      onOpen={() => {
        upload.reset();
        setFile(null);
        setName('');
        setProblem(null);
      }}
      onSubmit={async () => {
        upload.reset();
        if (!file) {
          setProblem('Choose a file to upload.');
          return false;
        }
        const tooBig = uploadProblem(file);
        setProblem(tooBig);
        if (tooBig) return false;
        try {
          const contentBase64 = bytesToBase64(new Uint8Array(await file.arrayBuffer()));
          await upload.mutateAsync({ owner: { kind: 'installation', id: installationId }, name: name.trim() || file.name, mime: mimeFor(file), contentBase64 });
          await queryClient.invalidateQueries({ queryKey: trpc.files.list.queryKey() });
          return true;
        } catch {
          return false;
        }
      }}
    >
      <FileInput
        label="File"
        placeholder="Choose a file"
        description={`Up to 6 MB here. Accepted types: ${acceptedExtensions.join(', ')}.`}
        leftSection={<IconPaperclip size={16} aria-hidden />}
        value={file}
        onChange={(f) => {
          setFile(f);
          setProblem(f ? uploadProblem(f) : null);
        }}
        clearable
        required
      />
      <TextInput label="Stored name" description="Leave empty to keep the file's own name." value={name} onChange={(e) => setName(e.currentTarget.value)} placeholder={file?.name ?? ''} />
    </FormDialog>
  );
}

function DownloadButton({ file, onError }: { file: StoredFile; onError: (message: string | null) => void }) {
  const get = useRestGet();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      variant="subtle"
      size="xs"
      leftSection={<IconDownload size={14} aria-hidden />}
      aria-label={`Download ${file.name}`}
      loading={busy}
      onClick={() => {
        setBusy(true);
        onError(null);
        get(`/api/v2/file/download/${encodeURIComponent(file.hash)}`)
          .then((res) => saveResponse(res, file.name))
          .catch((err: unknown) => onError(`Could not download ${file.name}: ${errorMessage(err)}`))
          .finally(() => setBusy(false));
      }}
    >
      Download
    </Button>
  );
}

export function FilesTab({ installationId }: { installationId: number }) {
  const trpc = useTRPC();
  const p = usePermissions();
  const queryClient = useQueryClient();
  const owner = { kind: 'installation' as const, id: installationId };
  const files = useQuery(trpc.files.list.queryOptions({ owner }));
  const del = useMutation(trpc.files.delete.mutationOptions());
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const canChange = p.any('file/create_delete');
  return (
    <>
      {downloadError && (
        <Alert color="red" variant="light" role="alert" mb="sm" withCloseButton closeButtonLabel="Dismiss" onClose={() => setDownloadError(null)}>
          {downloadError}
        </Alert>
      )}
      <QueryView query={files} what="files">
        {(rows) => (
          <DataTable
            label="Files"
            rows={rows}
            rowKey={(f) => f.id}
            initialSort={{ key: 'name', dir: 'asc' }}
            toolbar={canChange && <UploadDialog installationId={installationId} />}
            columns={[
              { key: 'name', header: 'Name', value: (f) => f.name, sortable: true, render: (f) => <Text fw={500} size="sm">{f.name}</Text> },
              { key: 'mime', header: 'Type', value: (f) => f.mime, sortable: true, render: (f) => <span className="lynx-mono">{f.mime}</span> },
              { key: 'updated', header: 'Updated', value: (f) => f.updated, sortable: true, render: (f) => formatTime(f.updated) },
              {
                key: 'actions',
                header: 'Actions',
                value: () => '',
                render: (f) => (
                  <Group gap={4} wrap="nowrap">
                    <DownloadButton file={f} onError={setDownloadError} />
                    {canChange && (
                      <ConfirmButton
                        label={<IconTrash size={14} aria-hidden />}
                        ariaLabel={`Delete file ${f.name}`}
                        confirmLabel="Delete"
                        buttonProps={{ variant: 'subtle' }}
                        title={`Delete ${f.name}?`}
                        message="The file is removed for everyone on this installation."
                        pending={del.isPending}
                        error={del.error}
                        onConfirm={async () => {
                          await del.mutateAsync({ owner, id: f.id });
                          await queryClient.invalidateQueries({ queryKey: trpc.files.list.queryKey() });
                        }}
                      />
                    )}
                  </Group>
                ),
              },
            ]}
            empty={<Empty title="No files" hint={canChange ? 'Upload floor plans, pictures or firmware with “Upload file”.' : 'Nothing has been uploaded to this installation.'} />}
          />
        )}
      </QueryView>
    </>
  );
}
