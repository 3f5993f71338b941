// Enrolment page: once a passkey is registered, continue to the recovery codes (progressive
// enhancement: without JavaScript the "Turpināt" button does the same).
document.addEventListener("otp_webauthn.register_complete", () => {
  const form = document.getElementById("passkey-continue");
  if (form) form.submit();
});
