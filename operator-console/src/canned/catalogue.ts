/**
 * Canned responses. The defaults live in shared/ (the server seeds its list from them);
 * supervisors manage the live list through `/api/canned`, which the console loads once
 * per session. These are texts for visitors, per visitor language, so they are not in
 * the UI catalogue.
 */
export {
  type CannedLanguage,
  type CannedResponse,
  cannedLanguages,
  cannedText,
  defaultCannedResponses,
  SAFETY_CHECK_ID,
} from '@stille-lijn/shared/domain/canned';
