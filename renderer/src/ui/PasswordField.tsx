/**
 * The one password input of every form and dialog: masked, offered to the password
 * manager as the current password, required. Its owner keeps the value in local state
 * only and clears it as soon as it is sent; it never reaches a store.
 */
export function PasswordField({
  value,
  onChange,
  autoFocus = false,
  className,
}: {
  value: string;
  onChange(value: string): void;
  /** For a screen whose only field this is (the locked screen). */
  autoFocus?: boolean;
  className?: string;
}) {
  return (
    <label className={className}>
      Password
      <input
        type="password"
        autoComplete="current-password"
        autoFocus={autoFocus}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        required
      />
    </label>
  );
}
