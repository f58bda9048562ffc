import { ActionIcon, CopyButton, Group, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';

/**
 * A long hash, id or fingerprint: monospace, wrapping anywhere (or cut with an ellipsis
 * where a row has one line), with a button that copies the whole value.
 */
export function Hash({
  value,
  label,
  truncate = false,
  testId,
}: {
  value: string;
  /** What is copied, for the button's name ("Copy hash"). */
  label: string;
  truncate?: boolean;
  testId?: string;
}) {
  return (
    <Group gap={4} wrap="nowrap" align="flex-start" className="hash-group">
      <code
        className={truncate ? 'hash hash-truncate' : 'hash'}
        title={truncate ? value : undefined}
        data-testid={testId}
      >
        {value}
      </code>
      <CopyButton value={value} timeout={1500}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : `Copy ${label}`} withArrow>
            <ActionIcon
              variant="subtle"
              color={copied ? 'green' : 'gray'}
              size="sm"
              onClick={copy}
              aria-label={`Copy ${label}`}
            >
              {copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
