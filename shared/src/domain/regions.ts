import { z } from 'zod';

/**
 * The 25 Veilig Thuis regions, one per safety region, identified by the CBS
 * safety-region code. Reports are addressed to one of them.
 */
export const regions = [
  { id: 'VR01', name: 'Groningen' },
  { id: 'VR02', name: 'Fryslân' },
  { id: 'VR03', name: 'Drenthe' },
  { id: 'VR04', name: 'IJsselland' },
  { id: 'VR05', name: 'Twente' },
  { id: 'VR06', name: 'Noord- en Oost-Gelderland' },
  { id: 'VR07', name: 'Gelderland-Midden' },
  { id: 'VR08', name: 'Gelderland-Zuid' },
  { id: 'VR09', name: 'Utrecht' },
  { id: 'VR10', name: 'Noord-Holland-Noord' },
  { id: 'VR11', name: 'Zaanstreek-Waterland' },
  { id: 'VR12', name: 'Kennemerland' },
  { id: 'VR13', name: 'Amsterdam-Amstelland' },
  { id: 'VR14', name: 'Gooi en Vechtstreek' },
  { id: 'VR15', name: 'Haaglanden' },
  { id: 'VR16', name: 'Hollands Midden' },
  { id: 'VR17', name: 'Rotterdam-Rijnmond' },
  { id: 'VR18', name: 'Zuid-Holland-Zuid' },
  { id: 'VR19', name: 'Zeeland' },
  { id: 'VR20', name: 'Midden- en West-Brabant' },
  { id: 'VR21', name: 'Brabant-Noord' },
  { id: 'VR22', name: 'Brabant-Zuidoost' },
  { id: 'VR23', name: 'Limburg-Noord' },
  { id: 'VR24', name: 'Zuid-Limburg' },
  { id: 'VR25', name: 'Flevoland' },
] as const;

export type RegionId = (typeof regions)[number]['id'];

/** `VR01` … `VR25`, in order. */
export const regionIds = regions.map((r) => r.id) as [RegionId, ...RegionId[]];

/** A safety-region code. @example 'VR09' */
export const regionIdSchema = z.enum(regionIds);

/** The region's name, e.g. `regionName('VR09')` → `'Utrecht'`; undefined for an unknown code. */
export function regionName(id: string): string | undefined {
  return regions.find((r) => r.id === id)?.name;
}
