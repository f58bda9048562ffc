import { Button, Code, Paper, SimpleGrid, Stack, Text } from '@mantine/core';

/**
 * Recovery codes, shown once: the server keeps only their hashes. The codes live in the
 * owner's local state until the operator says they are saved.
 */
export function RecoveryCodesNote({ codes, onDone }: { codes: string[]; onDone(): void }) {
  return (
    <Paper withBorder p="md" radius="sm" data-testid="recovery-codes">
      <Stack gap="xs">
        <Text fw={600}>Recovery codes — shown once</Text>
        <Text size="sm">
          Keep them somewhere safe (a password manager, a printout). Each one signs in once without the second
          factor; they are not shown again.
        </Text>
        <SimpleGrid cols={2} spacing="xs">
          {codes.map((code) => (
            <Code key={code} className="recovery-code">
              {code}
            </Code>
          ))}
        </SimpleGrid>
        <Button variant="default" onClick={onDone}>
          I have saved them
        </Button>
      </Stack>
    </Paper>
  );
}
