/** Where toasts appear (Providers.tsx loads this on demand): bottom right, four at most. */
import '@mantine/core/styles/Notification.css';
import '@mantine/notifications/styles.css';
import { Notifications } from '@mantine/notifications';

export default function ToastHost() {
  return <Notifications position="bottom-right" limit={4} />;
}
