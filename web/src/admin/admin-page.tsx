import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { AdminAttachments, AdminAudit } from './admin-audit.tsx';
import { AdminGroups } from './admin-groups.tsx';
import { AdminRetention } from './admin-retention.tsx';
import { AdminUsers } from './admin-users.tsx';

export const ADMIN_SECTIONS = ['users', 'groups', 'retention', 'audit', 'attachments'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

const TITLES: Record<AdminSection, string> = {
  users: 'Users',
  groups: 'Groups',
  retention: 'Retention',
  audit: 'Audit',
  attachments: 'Attachments',
};

/** Administration, admins only (the server refuses the routes to anyone else, too); a section per URL. */
export function AdminPage({ section }: { section: AdminSection }) {
  const { user } = useSession();
  if (user?.role !== 'admin')
    return (
      <section>
        <h1>Administration</h1>
        <p role="alert">Only administrators can see this page.</p>
      </section>
    );
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Administration</h1>
      <nav className="tabs" aria-label="Administration sections">
        {ADMIN_SECTIONS.map((s) => (
          <Link key={s} to={`/admin/${s}`} aria-current={s === section ? 'page' : undefined}>
            {TITLES[s]}
          </Link>
        ))}
      </nav>
      {section === 'users' && <AdminUsers />}
      {section === 'groups' && <AdminGroups />}
      {section === 'retention' && <AdminRetention />}
      {section === 'audit' && <AdminAudit />}
      {section === 'attachments' && <AdminAttachments />}
    </section>
  );
}
