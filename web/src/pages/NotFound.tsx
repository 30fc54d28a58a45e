// Any URL the dashboard does not know.
import { PageHeader } from '../components/ui.tsx';
import { Link } from '../router.tsx';

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" subtitle="There is nothing at this address." />
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </>
  );
}
