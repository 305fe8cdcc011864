import type { NewCity } from './schemas.js';

/** The cities every fresh instance starts with; ids follow this order, from 1. */
export const SEED_CITIES: readonly NewCity[] = [
  { name: 'Lyon', country: 'FR', population: 522_250 },
  { name: 'Oslo', country: 'NO', population: 709_037 },
  { name: 'Osaka', country: 'JP', population: 2_752_412 },
  { name: 'Porto', country: 'PT', population: 231_962 },
  { name: 'Montréal', country: 'CA', population: 1_762_949 },
  { name: 'Nairobi', country: 'KE', population: 4_397_073 },
  { name: 'Curitiba', country: 'BR', population: 1_773_718 },
  { name: 'Wellington', country: 'NZ', population: 215_200 },
];
