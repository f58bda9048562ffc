import { PasswordInput } from '@mantine/core';

/**
 * The one password input of every form and dialog: masked, offered to the password
 * manager as the current password, required, with its message under it (an empty
 * submit, a wrong password). Its owner keeps the value in local state only and clears
 * it as soon as it is sent; it never reaches a store.
 */
export function PasswordField({
  value,
  onChange,
  autoFocus = false,
  error,
  className,
}: {
  value: string;
  onChange(value: string): void;
  /** For a dialog or screen whose first field this is (Mantine's focus trap starts here). */
  autoFocus?: boolean;
  /** The message under the field, or undefined. */
  error?: string;
  className?: string;
}) {
  return (
    <PasswordInput
      label="Password"
      autoComplete="current-password"
      data-autofocus={autoFocus || undefined}
      autoFocus={autoFocus}
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={error}
      aria-invalid={error ? true : undefined}
      className={className}
      visibilityToggleButtonProps={{ 'aria-label': 'Show the characters' }}
    />
  );
}

/** The message an empty password gets (the unlock, export, sign-in and locked-screen forms). */
export const emptyPasswordMessage = 'Enter the password: it opens this machine’s key.';
