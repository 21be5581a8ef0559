import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { ConfirmDialog, ErrorNote } from '../components/common.tsx';

/** Asks before deleting an execution (or a record: the same thing, named as its page names it), then deletes it. */
export function DeleteExecutionDialog({
  item,
  noun,
  onClose,
}: {
  /** The one to delete; null keeps the dialog closed. */
  item: Schemas['ExecutionListItem'] | null;
  noun: 'execution' | 'record';
  onClose: () => void;
}) {
  const queries = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/executions/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      onClose();
      await queries.invalidateQueries({ queryKey: ['executions'] });
    },
  });
  return (
    <ConfirmDialog
      open={item !== null}
      title={`Delete this ${noun}?`}
      confirmLabel="Delete"
      danger
      busy={remove.isPending}
      onConfirm={() => item && remove.mutate(item.id)}
      onCancel={onClose}
    >
      <p>
        “{item?.title ?? item?.id}” will be hidden from everyone but administrators, who can restore it during the grace period. The
        deletion is audited.
      </p>
      <ErrorNote error={remove.error} />
    </ConfirmDialog>
  );
}
